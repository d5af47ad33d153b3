"""The program committee's admin, one module per area:

* `schedule`: conferences, days, sessions and talks (with the import and readiness pages);
* `people`: speakers, affiliations and authorships, with the merge actions;
* `common`: what both share (counts, the "on the site" column, publish actions, history).

The people's admin lives here rather than in `speakers` because it shows what is public, which
`program` decides; `speakers` never imports `program` (docs/contributors/layout.md).
"""

from django.conf import settings
from django.contrib import admin

from program.admin import people, schedule  # noqa: F401 -- importing them registers the admins

# The committee works on a 1280 px screen: the talk list needs the width that Django's model
# sidebar (300 px, repeating the home page's list) would take. Breadcrumbs and the home page
# lead everywhere it did.
admin.site.enable_nav_sidebar = False

# The site's name, not "Django administration", in the header, the page titles and the home page.
admin.site.site_header = f"{settings.SITE_NAME}: committee"
admin.site.site_title = settings.SITE_NAME
admin.site.index_title = "The program and its people"
