"""projects/reports: the summary, the weekly bulletin, the lead figures and the targets."""
