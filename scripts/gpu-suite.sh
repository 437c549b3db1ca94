#!/usr/bin/env bash
# gpu-suite.sh — everything that needs the GPU, in one call, ending in a short
# table: build (with ptxas's report), the GPU tests, compute-sanitizer
# (racecheck, synccheck, memcheck) on small shapes, the benchmark (tilegemm run
# and bench, cuBLAS in the same process), the host cost of a call beside a bare
# launch, the previous build against this one interleaved, ncu, and Python.
#
#   scripts/gpu-suite.sh [phase ...]
#     phases: build test sanitize bench suites hostcost compare ncu timeline example python
#     (default: build test sanitize bench hostcost example python)
#   suites: tilegemm bench --suite for every suite (SUITES, default all six),
#           the library's choice vs cuBLAS, fp32 C then bf16 C, into
#           $OUT/suites-{fp32,bf16}.csv, plotted when matplotlib is there.
#   compare: needs the previous build's source in .old/ (git worktree add .old <commit>;
#            carried to the device with carry: [".old"]); runs both CLIs' bench
#            alternately, ROUNDS times, cuBLAS in every run.
#   timeline: a second build (build-tl/, -DTG_TIMELINE=ON: the hopper kernels stamp each
#            block's phases) and bench/timeline.c on each of TL_RUNS, "config:MxNxK" words
#            (TL_CONDITION: rotated, warm, flushed or flushed-clean); per-block CSVs into $OUT.
# Logs go to $OUT (default ./out); the last lines printed are the summary.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-$PWD/out}
mkdir -p "$OUT"
PHASES=${*:-build test sanitize bench hostcost example python}
JOBS=$(nproc)
SUMMARY="$OUT/summary.txt"
: > "$SUMMARY"
note() { echo "$*" | tee -a "$SUMMARY"; }
has() { [[ " $PHASES " == *" $1 "* ]]; }
status=0
T=./build/tilegemm

note "== gpu-suite $(date -u +%Y-%m-%dT%H:%MZ) phases: $PHASES ($(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo '+changes'))"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,power.limit --format=csv,noheader \
    | tee "$OUT/gpu.txt" | sed 's/^/gpu: /' | tee -a "$SUMMARY"

if has build; then
    t0=$(date +%s)
    if cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DTG_PTXAS_VERBOSE=ON \
            -DTG_BUILD_PYTHON=OFF > "$OUT/configure.log" 2>&1 &&
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
    # Every test but the GPU GEMM suite, then that suite one configuration per
    # process under a timeout: a kernel that traps or hangs is named, and
    # cannot take the other configurations' results with it.
    ctest --test-dir build -V -E '^gpu_gemm$' > "$OUT/ctest.log" 2>&1
    rc=$?
    note "ctest (all but gpu_gemm): $(grep -E 'tests passed|tests failed' "$OUT/ctest.log" | tail -1) (rc $rc)"
    grep -E "^[0-9]+: FAIL  |\*\*\*Failed|tests FAILED" "$OUT/ctest.log" | head -20 | tee -a "$SUMMARY"
    [ $rc -eq 0 ] || status=1
    : > "$OUT/gpu_gemm.log"
    for cfg in ${GEMM_CONFIGS:-$($T list | awk 'NR>2 {print $1}')}; do
        timeout "${GEMM_TIMEOUT:-300}" ./build/tests/test_gpu_gemm --config "$cfg" ${GEMM_ARGS:-} \
            > "$OUT/gpu_gemm_$cfg.log" 2>&1
        rc=$?
        cat "$OUT/gpu_gemm_$cfg.log" >> "$OUT/gpu_gemm.log"
        line=$(grep -E "[0-9]+ runs, [0-9]+ failures" "$OUT/gpu_gemm_$cfg.log" | tail -1)
        if [ $rc -eq 124 ]; then line="TIMED OUT after ${GEMM_TIMEOUT:-300} s"; fi
        note "  gpu_gemm $(printf '%-20s' "$cfg") ${line:-no result} (rc $rc)"
        grep -E "^FAIL |trapped" "$OUT/gpu_gemm_$cfg.log" | head -5 | tee -a "$SUMMARY"
        [ $rc -eq 0 ] || status=1
        rm -f "$OUT/gpu_gemm_$cfg.log"
    done
fi

if has sanitize; then
    # Small shapes with ragged edges: every block, warp and stage path runs;
    # memcheck also on misaligned pointers with alpha/beta (C is read).
    san_fail=0
    # The list read once, and grep -q fed from a string: on a pipe, grep -q stops reading at its
    # first match, the writer dies of SIGPIPE, and pipefail counts the test as failed.
    list=$($T list)
    # One sanitizer run: tool, config, log, then check's shape arguments.
    san() {
        local tool=$1 cfg=$2 log=$3; shift 3
        timeout 300 compute-sanitizer --tool $tool --error-exitcode 9 $T check --config $cfg "$@" > "$log" 2>&1
        local rc=$?
        if [ $rc -ne 0 ]; then san_fail=1; note "sanitize: $tool $cfg $* FAILED (rc $rc)"; tail -15 "$log"; fi
    }
    # (hopper: TMA takes rows of whole 16-byte multiples and aligned pointers only; decode:
    # the same rows, and M <= its BLOCK_M: 13 rows (5 for BLOCK_M 8), 7 with beta; gemv: the
    # same rows and M = 1)
    while read -r cfg family; do
        for tool in racecheck synccheck memcheck; do
            args="--m 200 --n 136 --k 300"
            [ $tool = memcheck ] && args="--m 129 --n 65 --k 77 --misalign --alpha 2 --beta 0.5"
            if [ "$family" = hopper ]; then
                args="--m 200 --n 136 --k 304"
                # memcheck: beta 0.5 (C read, stored from registers) for EPILOGUE=registers, beta 0 and
                # a TMA-storable C (N*4 a multiple of 16) for EPILOGUE=tma
                [ $tool = memcheck ] && args="--m 129 --n 65 --k 200 --alpha 2 --beta 0.5"
                [ $tool = memcheck ] && grep -q "epilogue  *through shared memory" <<< "$($T plan --config "$cfg")" &&
                    args="--m 129 --n 136 --k 200 --alpha 2"
            fi
            if [ "$family" = decode ]; then
                # M = 13 ends inside A's second 8-row half; a BLOCK_M of 8 takes M <= 8
                m=13; grep -q "^$cfg .*block_m=8," <<< "$list" && m=5
                args="--m $m --n 136 --k 304"
                [ $tool = memcheck ] && args="--m 7 --n 65 --k 200 --alpha 2 --beta 0.5"
            fi
            if [ "$family" = gemv ]; then
                # M = 1; K = 4104: 513 vectors a row, a block of 288 threads whose last warp is
                # partly past K; 136 rows: blocks with a part-full last group and batch
                args="--m 1 --n 136 --k 4104"
                [ $tool = memcheck ] && args="--m 1 --n 65 --k 200 --alpha 2 --beta 0.5"
            fi
            log="$OUT/san_${tool}_${cfg}.log"
            san $tool $cfg "$log" $args
            # STREAM_K=1: the shapes above share no tile along K; 512 x 512 x 2048 shares every
            # tile of every such preset 4 ways (partials, flags, the FINAL's sums), still small
            # enough for the CPU reference (a check against cuBLAS would sanitize cuBLAS's kernels too)
            grep -q "^$cfg .*stream_k=1" <<< "$list" && san $tool $cfg "$log.sk" --m 512 --n 512 --k 2048
        done
    done < <(awk 'NR>2 {print $1, $2}' <<< "$list" | { if [ -n "${SAN_CONFIGS:-}" ]; then grep -wE "^(${SAN_CONFIGS// /|})"; else cat; fi; })
    # The C = beta*C path (K = 0) too.
    timeout 300 compute-sanitizer --tool memcheck --error-exitcode 9 $T check --m 129 --n 65 --k 0 --beta 3 --misalign \
        > "$OUT/san_memcheck_k0.log" 2>&1 || { san_fail=1; note "sanitize: memcheck K=0 FAILED"; }
    [ $san_fail -eq 0 ] && note "sanitize: racecheck, synccheck, memcheck clean on ${SAN_CONFIGS:-every config} (and K=0)"
    [ $san_fail -eq 0 ] || status=1
fi

if has bench; then
    $T list > "$OUT/list.txt" 2>&1; cut -c1-60 "$OUT/list.txt" >> "$SUMMARY"
    $T run > "$OUT/run.txt" 2>&1 || status=1
    cat "$OUT/run.txt" >> "$SUMMARY"
    # Every configuration (the hopper ladder among them) beside cuBLAS, fp32 C;
    # then the hopper family and warp64 with bf16 C.
    $T bench ${BENCH_CONFIGS:+--configs $BENCH_CONFIGS} --shapes ${BENCH_SHAPES:-8192x8192x8192,4096x4096x4096} \
        > "$OUT/bench.txt" 2>&1 || status=1
    cat "$OUT/bench.txt" >> "$SUMMARY"
    hop=$($T list | awk '$2 == "hopper" {printf "%s%s", sep, $1; sep = ","}')
    $T bench --dtype bf16 --configs warp64,$hop --shapes ${BENCH_SHAPES:-8192x8192x8192,4096x4096x4096} \
        > "$OUT/bench-bf16.txt" 2>&1 || status=1
    cat "$OUT/bench-bf16.txt" >> "$SUMMARY"
    # Decode (M <= 64): every decode and gemv preset and warp64 beside cuBLAS; the inputs rotate
    # through sets larger than twice L2, so B comes from HBM. B's bytes / ms is the
    # bandwidth (1x8192x8192: 134217728 bytes; 0.050 ms is 2.68 TB/s).
    dec=$($T list | awk '$2 == "decode" || $2 == "gemv" {printf "%s%s", sep, $1; sep = ","}')
    $T bench --configs warp64,$dec --shapes ${DECODE_SHAPES:-1x8192x8192,16x8192x8192,32x8192x8192,64x8192x8192,1x4096x4096,1x14336x4096,1x4096x14336,16x1024x8192} \
        > "$OUT/bench-decode.txt" 2>&1 || status=1
    cat "$OUT/bench-decode.txt" >> "$SUMMARY"
fi

if has suites; then
    for dt in fp32 bf16; do
        $T bench --suite ${SUITES:-square,llm,small,decode,narrow,batch,odd} --dtype $dt --csv "$OUT/suites-$dt.csv" \
            > "$OUT/suites-$dt.txt" 2>&1 || status=1
        # The suites' geometric means (each block runs from its heading to a blank line).
        awk '/^suite .*geometric means/ {p = 1} p && /^$/ {p = 0} p' "$OUT/suites-$dt.txt" >> "$SUMMARY"
        if python3 -c 'import matplotlib' 2>/dev/null; then
            python3 scripts/plot_bench.py "$OUT/suites-$dt.csv" "$OUT/suites-$dt.png" >> "$SUMMARY" 2>&1 || status=1
        fi
    done
fi

if has hostcost; then
    for cfg in ${HOSTCOST_CONFIGS:-warp64 tma_store}; do
        ./build/tg_host_cost --config $cfg >> "$OUT/hostcost.txt" 2>&1 || status=1
    done
    cat "$OUT/hostcost.txt" >> "$SUMMARY"
fi

if has compare; then
    if [ -d .old ] && cmake -S .old -B build-old -G Ninja -DCMAKE_BUILD_TYPE=Release \
            -DTG_BUILD_TESTS=OFF -DTG_BUILD_PYTHON=OFF > "$OUT/old-configure.log" 2>&1 &&
       cmake --build build-old -j "$JOBS" > "$OUT/old-build.log" 2>&1; then
        OLD=$(find build-old -maxdepth 2 -type f -name tilegemm | head -1)
        : > "$OUT/compare.txt"
        # One configuration per invocation, so both CLIs time it the same way:
        # check it, time it (COMPARE_REPS calls after 5 warm-up), then time cuBLAS.
        for r in $(seq 1 "${ROUNDS:-3}"); do
            for c in seed split8 warp64; do
                for who in old new; do
                    if [ $who = old ]; then run="$OLD bench"; else run="$T bench --rounds 1 --no-lt"; fi
                    # both print: name check rel_fro err/bound =cuBLAS? ms TFLOP/s vs-cuBLAS
                    $run --configs $c --shapes 8192x8192x8192 --reps ${COMPARE_REPS:-20} --seed 1 2>&1 \
                        | awk -v who=$who -v r=$r '$1 ~ /^(seed|split8|warp64|cuBLAS)$/ { print who, r, $1, $(NF-1), $NF }' \
                        | sed "s/ cuBLAS / cuBLAS($c) /" >> "$OUT/compare.txt"
                done
            done
        done
        note "compare (8192^3 fp32 out, previous build vs this one, alternating, ${ROUNDS:-3} rounds; median TFLOP/s, median % of own-run cuBLAS):"
        for c in seed split8 warp64 'cuBLAS(seed)' 'cuBLAS(warp64)'; do
            for who in old new; do
                tf=$(awk -v w=$who -v c=$c '$1==w && $3==c {print $4}' "$OUT/compare.txt" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
                pc=$(awk -v w=$who -v c=$c '$1==w && $3==c {sub("%","",$5); print $5}' "$OUT/compare.txt" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
                note "  $(printf '%-14s %-4s %7s TFLOP/s %6s%%' $c $who "$tf" "$pc")"
            done
        done
    else
        note "compare: no .old source or its build failed (see old-build.log)"; status=1
    fi
fi

if has ncu; then
    # One launch of each configuration (and of cuBLAS's kernel) at NCU_SHAPE.
    # The tensor pipe's busy share: on sm_90 the hmma cycles count wgmma too; ncu has no
    # gmma-only cycles metric, and a name it does not know left the share "n/a"
    # (bench/RESULTS.md entries 46, 51).
    metrics=sm__pipe_tensor_op_hmma_cycles_active.avg.pct_of_peak_sustained_elapsed
    metrics+=,sm__pipe_tensor_op_hmma_cycles_active.avg.pct_of_peak_sustained_active
    metrics+=,sm__throughput.avg.pct_of_peak_sustained_elapsed
    metrics+=,lts__throughput.avg.pct_of_peak_sustained_elapsed,l1tex__throughput.avg.pct_of_peak_sustained_active
    metrics+=,lts__t_bytes.sum.per_second
    metrics+=,dram__throughput.avg.pct_of_peak_sustained_elapsed
    metrics+=,gpc__cycles_elapsed.avg.per_second,gpu__time_duration.sum,launch__grid_size,launch__cluster_dim_x
    metrics+=,l1tex__data_bank_conflicts_pipe_lsu_mem_shared.sum
    metrics+=,regex:smsp__average_warps_issue_stalled_.*_per_issue_active.ratio
    shape=${NCU_SHAPE:-8192x8192x8192}
    for cfg in ${NCU_CONFIGS:-seed warp64} cuBLAS; do
        if [ "$cfg" = cuBLAS ]; then
            # bench checks against cuBLAS, then times it: its first GEMM launch.
            sel=(--kernel-name "regex:^(?!tg_|th_).*(gemm|sm90|nvjet|xmma).*" --launch-count 1)
            run=($T bench --configs warp64 --shapes $shape --reps 1 --warmup 0 --rounds 1)
        else
            sel=(--kernel-name "regex:^tg_(micro|hopper|decode|gemv)_${cfg}(_vec)?$" --launch-count 1)
            run=($T bench --configs $cfg --shapes $shape --reps 1 --warmup 0 --rounds 1)
        fi
        ncu "${sel[@]}" --clock-control none --metrics "$metrics" "${run[@]}" > "$OUT/ncu_$cfg.txt" 2>&1
        note "ncu $cfg ($shape): $(grep -m1 -oE '^  [A-Za-z_0-9<>:, ]+\(' "$OUT/ncu_$cfg.txt" | cut -c1-90)"
        grep -E "cycles_active|bank_conflicts|throughput|bytes.sum.per_second|per_second|duration|launch__|stalled_(long_scoreboard|barrier|wait|math|mio|lg|membar|sleeping|dispatch|no_instruction|short)" \
            "$OUT/ncu_$cfg.txt" | awk '$NF != "0" && $NF != "n/a" {printf "  %-80s %s %s\n", $1, $(NF-1), $NF}' >> "$SUMMARY"
    done
fi

if has timeline; then
    if cmake -S . -B build-tl -G Ninja -DCMAKE_BUILD_TYPE=Release -DTG_TIMELINE=ON \
            -DTG_BUILD_TESTS=OFF -DTG_BUILD_PYTHON=OFF > "$OUT/tl-configure.log" 2>&1 &&
       cmake --build build-tl -j "$JOBS" --target tg_timeline > "$OUT/tl-build.log" 2>&1; then
        for run in ${TL_RUNS:-ks2_128x64:128x4096x4096}; do
            cfg=${run%%:*} shape=${run#*:}
            IFS=x read -r m n k <<< "$shape"
            timeout 120 ./build-tl/tg_timeline --config "$cfg" --m "$m" --n "$n" --k "$k" \
                --condition "${TL_CONDITION:-rotated}" --csv "$OUT/tl_${cfg}_${shape}.csv" \
                > "$OUT/tl.txt" 2>&1
            rc=$?
            cat "$OUT/tl.txt" >> "$SUMMARY"; [ $rc -eq 0 ] || { note "  (rc $rc)"; status=1; }
        done
    else
        note "timeline: build FAILED (see tl-build.log)"; tail -20 "$OUT/tl-build.log"; status=1
    fi
fi

if has example; then
    # The installed library used by a C program (examples/c), as CI builds it, here with a GPU.
    if cmake --install build --prefix /tmp/tg-prefix > "$OUT/install.log" 2>&1 &&
       cmake -S examples/c -B /tmp/tg-example -G Ninja -DCMAKE_PREFIX_PATH=/tmp/tg-prefix > "$OUT/example-c.log" 2>&1 &&
       cmake --build /tmp/tg-example >> "$OUT/example-c.log" 2>&1; then
        /tmp/tg-example/gemm > "$OUT/example-c.txt" 2>&1; rc=$?
        note "example (C, installed library): exit $rc: $(tail -1 "$OUT/example-c.txt")"; [ $rc -eq 0 ] || status=1
    else
        note "example (C): install or build FAILED (see install.log, example-c.log)"; status=1
    fi
fi

if has python && [ -f pyproject.toml ]; then
    if python3 -m pip install --no-build-isolation --no-deps -q . > "$OUT/pip.log" 2>&1; then
        timeout 900 python3 -m pytest -q -rs tests/python > "$OUT/pytest.log" 2>&1; rc=$?
        note "pytest: $(tail -1 "$OUT/pytest.log") (rc $rc)"; [ $rc -eq 0 ] || status=1
        grep -E "^(SKIPPED|FAILED)" "$OUT/pytest.log" | head -20 | sed "s/^/  /" >> "$SUMMARY"
        [ -f examples/seed_usage.py ] && timeout 300 python3 examples/seed_usage.py > "$OUT/example.txt" 2>&1 \
            && tail -8 "$OUT/example.txt" >> "$SUMMARY"
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
