"""The bench's URLs: the app's own, plus the floor every page is compared with. Kept out of
peersupport.urls so that no agency's server has a page made only for measuring."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from peersupport.urls import handler500  # noqa: F401 (handler500 is read by name)
from peersupport.urls import urlpatterns as app_urlpatterns


@login_required
def floor(request):
    """The least a signed-in page costs: the session, the middleware and the bare base template."""
    return render(request, "base.html")


urlpatterns = [path("__bench__/floor/", floor, name="bench_floor"), *app_urlpatterns]
