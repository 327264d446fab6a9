"""pytest's doctest pass imports every module of the package; a module that exists only for an
optional extra nobody installed (spaCy is not in ``dev``) is skipped instead of failing the run."""

import importlib


def _missing(module: str) -> bool:
    try:
        importlib.import_module(module)
    except ImportError:
        return True
    return False


collect_ignore = [path for path, needs in (("unspin/screening/spacy_pipe.py", "spacy"),) if _missing(needs)]
