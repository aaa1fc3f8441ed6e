"""Sphinx configuration of the noisy_sklearn documentation.

Build with ``python -m sphinx -W --keep-going -b html doc doc/_build/html``
from the repository root (or ``make html`` in this folder).
"""

import shutil
from pathlib import Path

import noisy_sklearn

DOC_DIR = Path(__file__).resolve().parent
REPO_DIR = DOC_DIR.parent

# -- Project -----------------------------------------------------------------

project = "noisy_sklearn"
author = "The noisy_sklearn developers"
copyright = "The noisy_sklearn developers"
release = noisy_sklearn.__version__
version = ".".join(release.split(".")[:2])

# -- General -----------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
    "sphinx_design",
]
source_suffix = {".rst": "restructuredtext"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "generated/benchmarks/*",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/*.zip",
    "auto_examples/*.md5",
]
default_role = "literal"
pygments_style = "default"

autosummary_generate = True
# scikit-learn's inherited methods (score, get_params, ...) are left out: their
# docstrings link into scikit-learn's own documentation.
autodoc_default_options = {"members": True}
autodoc_typehints = "none"

numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True

# The benchmark results are written by another script as Markdown, whose
# heading levels we do not control.
suppress_warnings = ["myst.header"]

# -- Gallery -----------------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "doc_module": ("noisy_sklearn",),
    "reference_url": {"noisy_sklearn": None},
    "backreferences_dir": "generated/backreferences",
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
}

# -- HTML --------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"noisy_sklearn {release}"
html_theme_options = {
    "navbar_align": "left",
    "show_prev_next": False,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
}
html_sidebars = {"index": [], "getting_started": [], "benchmarks": []}
html_show_sourcelink = False

# -- Benchmark results -------------------------------------------------------

BENCHMARK_RESULTS = REPO_DIR / "benchmarks" / "results"
BENCHMARK_PAGE = DOC_DIR / "generated" / "benchmarks" / "results.md"

_MISSING_RESULTS = """\
```{note}
No benchmark results were found when these pages were built: the file
`benchmarks/results/accuracy.md` does not exist yet. Run the benchmark, then
rebuild the documentation to show its results here.
```
"""


_RESULTS_FIGURE = """

```{figure} /generated/benchmarks/accuracy.png
:width: 100%

The summary figure written by the benchmark next to its tables.
```
"""


def write_benchmark_results(app):
    """Copy the benchmark's results where ``benchmarks.rst`` includes them.

    The page always includes ``generated/benchmarks/results.md``: the
    benchmark's own ``accuracy.md`` (followed by its ``accuracy.png`` when
    present), or a note saying that no results exist yet, so that the build
    never fails for lack of results; likewise ``speed.md`` and
    ``flag_rule.md``.
    """
    source = BENCHMARK_RESULTS / "accuracy.md"
    figure = BENCHMARK_RESULTS / "accuracy.png"
    BENCHMARK_PAGE.parent.mkdir(parents=True, exist_ok=True)
    if source.is_file():
        text = source.read_text(encoding="utf-8")
        if figure.is_file():
            shutil.copyfile(figure, BENCHMARK_PAGE.parent / figure.name)
            text += _RESULTS_FIGURE
    else:
        text = _MISSING_RESULTS
    _write_if_changed(BENCHMARK_PAGE, text)
    for name in ("speed.md", "flag_rule.md"):
        source = BENCHMARK_RESULTS / name
        text = (
            source.read_text(encoding="utf-8")
            if source.is_file()
            else _MISSING_RESULTS.replace("accuracy.md", name)
        )
        _write_if_changed(BENCHMARK_PAGE.with_name(name), text)


def _write_if_changed(path, text):
    # Rewrite only on change, so that Sphinx rebuilds the page only when needed.
    if not path.is_file() or path.read_text("utf-8") != text:
        path.write_text(text, encoding="utf-8")


# -- Docstrings --------------------------------------------------------------


def skip_metadata_request_methods(app, what, name, obj, skip, options):
    """Leave out the generated ``set_*_request`` methods of metadata routing.

    scikit-learn adds them to every estimator class, with docstrings that link
    into scikit-learn's own documentation; the API page mentions them instead.
    """
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    """Register the benchmark results hook and the docstring hooks."""
    app.connect("builder-inited", write_benchmark_results)
    app.connect("autodoc-skip-member", skip_metadata_request_methods)
