"""Prospect polling: seats mapped to ATS users, and their InMails, stubs and notes polled from LinkedIn."""
