"""Status push: ATS jobs, candidates, applications and notes stored, and pushed to LinkedIn."""
