#!/usr/bin/env bash
# A quick run of the whole Hsm dispatch suite (short job): about a minute or two. For the numbers in docs/benchmarks.md
# run the full job: dotnet run -c Release --project benchmarks/Hsm.Benchmarks
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet run -c Release --project benchmarks/Hsm.Benchmarks -- --quick "$@"
