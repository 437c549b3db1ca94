#!/usr/bin/env bash
# gpu-suite.sh — everything that needs the GPU, in one call: build, the GPU
# tests, compute-sanitizer (racecheck, synccheck, memcheck) on small shapes,
# the benchmark (tilegemm run and bench, cuBLAS in the same process), ncu
# on the two main presets, and a short table at the end.
#
#   scripts/gpu-suite.sh [phase ...]     phases: build test sanitize bench ncu python
#                                        (default: all, in that order)
# Logs go to $OUT (default ./out); the last lines printed are the summary.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-$PWD/out}
mkdir -p "$OUT"
PHASES=${*:-build test sanitize bench ncu python}
JOBS=$(nproc)
SUMMARY="$OUT/summary.txt"
: > "$SUMMARY"
note() { echo "$*" | tee -a "$SUMMARY"; }
has() { [[ " $PHASES " == *" $1 "* ]]; }
status=0

note "== gpu-suite $(date -u +%Y-%m-%dT%H:%MZ) phases: $PHASES"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,power.limit --format=csv,noheader \
    | tee "$OUT/gpu.txt" | sed 's/^/gpu: /' | tee -a "$SUMMARY"

if has build; then
    t0=$(date +%s)
    if cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DTG_PTXAS_VERBOSE=ON > "$OUT/configure.log" 2>&1 &&
       cmake --build build -j "$JOBS" > "$OUT/build.log" 2>&1; then
        note "build: ok in $(( $(date +%s) - t0 )) s"
    else
        note "build: FAILED (see build.log)"; tail -40 "$OUT/build.log"; exit 1
    fi
    # registers and spills of every kernel, from ptxas
    awk '/Compiling entry function/ { match($0, /_Z[0-9]+tg_[a-z0-9_]+/); name = substr($0, RSTART, RLENGTH); sub(/_Z[0-9]+/, "", name); sub(/15tg_micro_params$/, "", name) }
         /spill stores/ { spill = $5 }
         /Used [0-9]+ registers/ { printf "ptxas: %-28s %4s registers, %4s bytes spilled\n", name, $5, spill }' \
        "$OUT/build.log" | sort | tee "$OUT/ptxas.txt" >> "$SUMMARY"
fi

if has test; then
    ctest --test-dir build -V > "$OUT/ctest.log" 2>&1
    rc=$?
    note "ctest: $(grep -E 'tests passed|tests failed' "$OUT/ctest.log" | tail -1) (rc $rc)"
    grep -E "[0-9]+ runs, [0-9]+ failures" "$OUT/ctest.log" | sed "s/^[0-9]*: */  gpu_gemm: /" >> "$SUMMARY"
    grep -E "^[0-9]+: FAIL  |\*\*\*Failed|tests FAILED" "$OUT/ctest.log" | head -20 | tee -a "$SUMMARY"
    [ $rc -eq 0 ] || status=1
fi

if has sanitize; then
    # Small shapes with ragged edges: every block, warp and stage path runs.
    san_fail=0
    for cfg in $(./build/tilegemm list | awk 'NR>2 {print $1}'); do
        for tool in racecheck synccheck memcheck; do
            args="--m 200 --n 136 --k 300"
            [ $tool = memcheck ] && args="--m 129 --n 65 --k 77 --misalign"
            log="$OUT/san_${tool}_${cfg}.log"
            compute-sanitizer --tool $tool --error-exitcode 9 ./build/tilegemm check --config $cfg $args > "$log" 2>&1
            rc=$?
            if [ $rc -ne 0 ]; then san_fail=1; note "sanitize: $tool $cfg FAILED (rc $rc)"; tail -15 "$log"; fi
        done
    done
    [ $san_fail -eq 0 ] && note "sanitize: racecheck, synccheck, memcheck clean on every config"
    [ $san_fail -eq 0 ] || status=1
fi

if has bench; then
    ./build/tilegemm list > "$OUT/list.txt" 2>&1; cat "$OUT/list.txt" >> "$SUMMARY"
    ./build/tilegemm run > "$OUT/run.txt" 2>&1 || status=1
    cat "$OUT/run.txt" >> "$SUMMARY"
    ./build/tilegemm bench --shapes 8192x8192x8192,4096x4096x4096 > "$OUT/bench.txt" 2>&1 || status=1
    cat "$OUT/bench.txt" >> "$SUMMARY"
fi

if has ncu; then
    metrics=sm__pipe_tensor_op_hmma_cycles_active.avg.pct_of_peak_sustained_active
    metrics+=,sm__throughput.avg.pct_of_peak_sustained_elapsed
    metrics+=,l1tex__data_pipe_lsu_wavefronts_mem_shared.sum
    metrics+=,l1tex__data_bank_conflicts_pipe_lsu_mem_shared.sum
    metrics+=,l1tex__data_pipe_lsu_wavefronts_mem_shared.avg.pct_of_peak_sustained_elapsed
    metrics+=,dram__throughput.avg.pct_of_peak_sustained_elapsed
    metrics+=,sm__warps_active.avg.pct_of_peak_sustained_active
    metrics+=,smsp__issue_active.avg.pct_of_peak_sustained_active
    metrics+=,regex:smsp__average_warps_issue_stalled_.*_per_issue_active.ratio
    for cfg in ${NCU_CONFIGS:-seed split8 b256}; do
        ncu --kernel-name "regex:tg_micro_${cfg}_vec" --launch-count 1 --clock-control none \
            --section WarpStateStats --metrics "$metrics" \
            ./build/tilegemm bench --configs $cfg --shapes 8192x8192x8192 --reps 1 --warmup 0 \
            > "$OUT/ncu_$cfg.txt" 2>&1
        note "ncu $cfg:"
        # the pipes, then the five largest stall reasons (warps stalled per issued instruction)
        grep -E "hmma_cycles|bank_conflicts|wavefronts_mem_shared|sm__throughput|dram__throughput|warps_active|issue_active " \
            "$OUT/ncu_$cfg.txt" | awk '{printf "  %-80s %s\n", $1, $NF}' >> "$SUMMARY"
        grep -E "issue_stalled_.*per_issue_active" "$OUT/ncu_$cfg.txt" | awk '{print $NF, $1}' | sort -rn | head -6 \
            | sed -E 's/smsp__average_warps_issue_stalled_(.*)_per_issue_active.ratio/stall \1/; s/^/  /' >> "$SUMMARY"
    done
fi

if has python && [ -f pyproject.toml ]; then
    if python3 -m pip install --no-build-isolation --no-deps -q . > "$OUT/pip.log" 2>&1; then
        python3 -m pytest -q -rs tests/python > "$OUT/pytest.log" 2>&1; rc=$?
        note "pytest: $(tail -1 "$OUT/pytest.log") (rc $rc)"; [ $rc -eq 0 ] || status=1
        grep -E "^SKIPPED" "$OUT/pytest.log" | sed "s/^/  /" >> "$SUMMARY"
        [ -f examples/seed_usage.py ] && python3 examples/seed_usage.py > "$OUT/example.txt" 2>&1 \
            && tail -6 "$OUT/example.txt" >> "$SUMMARY"
    else
        note "python: pip install FAILED (see pip.log)"; tail -20 "$OUT/pip.log"; status=1
    fi
fi

# Logs in one archive (the device tool brings back at most 8 files).
(cd "$OUT" && rm -f logs.tgz && tar czf /tmp/gpu-suite-logs.tgz --exclude=summary.txt . &&
    find . -maxdepth 1 -type f ! -name summary.txt -delete && mv /tmp/gpu-suite-logs.tgz logs.tgz)
echo
echo "================ summary ================"
cat "$SUMMARY"
exit $status
