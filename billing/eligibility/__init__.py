"""Eligibility (270/271): inquiries for chosen participants or for the coming week's contacts
(inquiry.py), the payers' responses read and matched (response.py, importing.py), and what a
271 means in words (codes.py). What the payer last said is kept on the coverage."""
