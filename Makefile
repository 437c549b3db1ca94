# Thin wrapper over CMake + CTest (the build itself is CMakeLists.txt).
#   make run    build, then the main job (tilegemm run)
#   make test   build, then every test (GPU tests skip without a GPU)
#   make gpu    on a GPU machine: scripts/gpu-suite.sh (tests, sanitizers, benchmark)
BUILD ?= build
GENERATOR := $(shell command -v ninja >/dev/null 2>&1 && echo Ninja || echo "Unix Makefiles")

.PHONY: all run test gpu clean
all: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j

# The Python module (tk_kernel) is built too, for python3 on the PATH.
$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=Release \
	    -DTG_BUILD_PYTHON=ON -DPython_EXECUTABLE="$$(command -v python3)"

run: all
	./$(BUILD)/tilegemm run

test: all
	ctest --test-dir $(BUILD) --output-on-failure

gpu:
	scripts/gpu-suite.sh

clean:
	rm -rf $(BUILD)
