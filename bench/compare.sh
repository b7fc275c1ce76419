#!/usr/bin/env bash
# Kept for old instructions: the comparison with PyTorch (per-op overhead and
# training steps, one table of ratios, bench/RESULTS.md) is bench/compare.
exec "$(dirname "$0")/compare" "$@"
