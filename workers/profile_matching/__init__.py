"""Profile matching: ATS candidates matched to LinkedIn members, automatically and by hand."""
