"""The admin of the 重点项目办 (/admin/), in Chinese.

Every write goes through projects.services (see `writes`); a service's refusal is shown on the
form, never as a 500. One module per group of pages:

- `writes`: the form-to-service adapter (service calls, their refusals, inline rows).
- `filters`: list filters over the date-dependent annotations; `widgets`: the warning light.
- `forms`: forms and form fields the pages share.
- `references`, `users`, `projects`, `records`, `leads`, `targets`, `tokens`: the ModelAdmins;
  `targets` also holds the index page's dashboard view.
"""

from projects.admin import leads, projects, records, references, targets, tokens, users  # noqa: F401  (registers the pages)
