# tests/consumer/: latchkit used from outside, as its users build against
# an installed copy (pkg-config, CMake). make test runs it via test-dist.
# CSTDS / CXXSTDS choose the language standards (default c11 / c++17).
.PHONY: test-consumer
test-consumer: lib man
	@tests/consumer/run.sh
