from django.urls import path

from . import views

app_name = "notes"

# The paths are those notes had in the participants app: bookmarks and links keep working.
urlpatterns = [
    path("participants/<int:pk>/notes/new/", views.note_new, name="note_new"),
    path("participants/<int:pk>/notes/autosave/", views.note_autosave, name="note_autosave"),
    path("notes/", views.my_notes, name="my_notes"),
    path("notes/queue/", views.note_queue, name="note_queue"),
    path("notes/<int:note_pk>/", views.note_detail, name="note_detail"),
    path("notes/<int:note_pk>/edit/", views.note_edit, name="note_edit"),
    path("notes/<int:note_pk>/review/", views.note_review, name="note_review"),
    path("notes/<int:note_pk>/addendum/", views.note_addendum, name="note_addendum"),
    path("notes/<int:note_pk>/discard/", views.note_discard, name="note_discard"),
]
