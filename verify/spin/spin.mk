.PHONY: verify-spin
verify-spin:
	@echo "verify-spin: no models yet"
