"""The store: one interface (StatementIndex) over Chroma, BM25, the catalog and the embeddings."""
