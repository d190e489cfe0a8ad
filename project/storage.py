"""What ``collectstatic`` gathers from the installed apps.

viewflow's wheel ships, beside the fonts, scripts and styles its pages use, the ``node_modules``
directories its own npm build copied them from (13 MB). Nothing refers to them; one of them,
``viewflow/fonts/roboto/node_modules/roboto-fontface/css/roboto/roboto-fontface.css``, is the
font package's stylesheet moved away from its fonts: its ``url('./Roboto-Thin.woff2')`` names
a file that exists in no copy beside it. The manifest storage production uses checks every
``url()`` of every stylesheet it collects, so that stray copy made ``collectstatic`` fail, and
without its manifest every page answered 500. The stylesheet viewflow's pages do load,
``viewflow/fonts/roboto/roboto-fontface.css``, has all its fonts beside it.

So the build debris is simply not collected: the finder below adds ``node_modules`` to the
patterns ``collectstatic`` ignores (as Django's default ignores ``CVS``, ``.*`` and ``*~``).
Nothing is hidden from the manifest check: a reference that is really broken in a file we do
serve still stops ``collectstatic``.

Nor are two parts of viewflow no page of Lekhit loads: the Plotly Dash bundles of
``viewflow.contrib`` (17 MB, an app we do not install) and the Simple Icons font of its social
sign-in buttons (our sign-in page has none and drops the stylesheet). Writing a Brotli copy of
each was 56 of the 72 seconds ``collectstatic`` spent compressing.
"""

from django.contrib.staticfiles import finders

# Package managers' working directories shipped inside wheels by mistake.
IGNORED_DIRECTORIES = ["node_modules"]
# What viewflow ships for features Lekhit does not use (paths from the static root).
UNUSED = ("viewflow/js/contrib/dash/", "viewflow/fonts/simple-icons/")


class AppDirectoriesFinder(finders.AppDirectoriesFinder):
    """Django's finder of each app's ``static/``, without npm's ``node_modules``."""

    def list(self, ignore_patterns):
        for path, storage in super().list([*(ignore_patterns or []), *IGNORED_DIRECTORIES]):
            if not path.startswith(UNUSED):
                yield path, storage
