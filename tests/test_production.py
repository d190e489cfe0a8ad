"""Production's static files: ``collectstatic`` with the storage ``DEBUG=false`` uses.

The whole production recipe (migrate, collectstatic, check --deploy, gunicorn, every main page
as several roles over the proxied https) runs in CI as ``.ci/production-recipe``; this is its
fast part that needs no server.
"""

import json

from django.core.management import call_command

PRODUCTION_STATICFILES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_collectstatic_with_the_production_storage_writes_a_manifest(settings, tmp_path):
    """viewflow's wheel carries npm build copies whose stylesheet names a font that is not
    beside it; collecting them made the manifest storage fail, and every page answer 500."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = PRODUCTION_STATICFILES

    call_command("collectstatic", interactive=False, verbosity=0)

    paths = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    css = paths["viewflow/fonts/roboto/roboto-fontface.css"]
    assert css != "viewflow/fonts/roboto/roboto-fontface.css"  # hashed: cacheable for ever
    # The fonts that stylesheet loads are collected, hashed and precompressed.
    assert "viewflow/fonts/roboto/Roboto-Thin.woff2" in paths
    assert "viewflow/fonts/roboto/Roboto-Regular.woff2" in paths
    assert (tmp_path / css).exists()
    assert (tmp_path / f"{css}.gz").exists()
    # Our own styles too; and no build debris.
    assert any(name.startswith("css/") for name in paths)
    assert not [name for name in paths if "node_modules" in name]
