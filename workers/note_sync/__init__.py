"""Note sync: polled prospect notes stored, and ATS users' replies mailed to those who can see them."""
