"""Optional neural language-model scorers (GGUF via llama.cpp, Hugging Face causal/masked)."""
