"""Reading what users give us: text, HTML and PDF documents (:mod:`.extract`) and byte/JSONL
decoding and atomic outputs (:mod:`.textio`), with clear errors instead of tracebacks."""
