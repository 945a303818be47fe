"""Sphinx configuration of skae's documentation: numpydoc, autosummary, sphinx-gallery.

The build works offline: no intersphinx inventory, no remote image; the
gallery runs every example (digits, or Fashion-MNIST when installed).

    python -m sphinx -W --keep-going -b html doc doc/_build/html
"""

import os
import sys
from pathlib import Path

import skae

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")

project = "skae"
copyright = "2026, the skae developers"
author = "the skae developers"
version = release = skae.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip", "auto_examples/*.md5", "auto_examples/*.json"]
templates_path = ["_templates"]

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks = set()

myst_heading_anchors = 3
suppress_warnings = ["myst.header"]

# no mathjax: it would be fetched from a CDN, and the pages must not call out to the internet

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "reference_url": {"skae": None},
    "doc_module": ("skae",),
    "backreferences_dir": "generated/backreferences",
    "matplotlib_animations": False,
    "within_subsection_order": "FileNameSortKey",
    "show_memory": False,
    "plot_gallery": "True",
}

html_theme = "pydata_sphinx_theme"
html_title = f"skae {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": True,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "navbar_end": ["navbar-icon-links"],
    "icon_links": [],
    # the benchmark reports' tables of data sets by methods need the page's whole width
    "secondary_sidebar_items": {"benchmarks/*": []},
}
html_static_path = []
html_show_sourcelink = False
