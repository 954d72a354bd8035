"""The rules of the domain, with no framework beyond Django's core: codes and labels (choices), who
may do what (roles), the warning lights, periods and dates, rates, the request values (params)."""
