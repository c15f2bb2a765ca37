.PHONY: verify-tla
verify-tla:
	@echo "verify-tla: no specs yet"
