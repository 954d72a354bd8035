"""The admin of the 重点项目办 (/admin/), in Chinese.

Every write goes through projects.services (see `writes`); a service's refusal is shown on the
form, never as a 500. One module per group of pages:

- `writes`: the form-to-service adapter (service calls, their refusals, inline rows).
- `filters`: list filters over the date-dependent annotations; `widgets`: the warning light.
- `forms`: forms and form fields the pages share.
- `references`, `users`, `projects`, `records`, `leads`, `targets`, `tokens`: the ModelAdmins,
  registered by `pages` once the admin site exists (PortfolioAdminConfig.ready).


- `site`: the admin site; `roles`: the admin under the policy table; `params`: the request's as_of;
  `dashboard`: the index page; `imports`, `resources`: CSV and Excel import and export.
"""
