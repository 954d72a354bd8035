"""projects/domain: due periods and the policy table of roles."""
