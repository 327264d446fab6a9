"""English language resources shared by restore, detect and trace: tokens with offsets, word
lists, morphology, the thesaurus lexicon, the 3-gram LM, precomputed form data and the
tortured-phrase list. Every resource loads lazily, once per process."""
