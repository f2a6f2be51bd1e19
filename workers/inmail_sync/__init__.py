"""InMail sync: polled InMails and mail stubs stored against the ATS candidates they concern."""
