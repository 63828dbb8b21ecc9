from tests.advisories.corpus import corpus_db, corpus_parsed

__all__ = ["corpus_db", "corpus_parsed"]
