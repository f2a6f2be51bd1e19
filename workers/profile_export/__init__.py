"""Profile export: a recruiter exported a LinkedIn member to a job; pull the profile into the ATS."""
