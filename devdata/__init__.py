"""What makes data: the synthetic-data generator, the demo seed, the BOSAM demo and the one
test-personnummer generator. On top of every app; no app imports it (tests/test_import_graph.py)."""
