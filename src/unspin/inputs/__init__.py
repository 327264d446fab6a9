"""Reading what users give us: text, HTML and PDF documents (:mod:`.extract`) and byte/JSONL
decoding and atomic outputs (:mod:`.textio`; their temporary files: :mod:`.tempfiles`), with clear
errors instead of tracebacks."""
