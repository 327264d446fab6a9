"""Build the data files shipped in src/unspin/data (inputs, versions and checksums go to MANIFEST.json)."""
