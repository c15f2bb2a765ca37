.PHONY: bench bench-smoke
bench-smoke:
	@echo "bench-smoke: no harness yet"
bench: deps headers
	@echo "bench: no harness yet"
