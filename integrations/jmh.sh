#!/usr/bin/env bash
# An integration's benchmarks (src/test/java/**/*Benchmark.java of integrations/dl4j or integrations/smile):
# compiles them with the tests, then runs JMH on that build's test class path. The arguments after the integration's
# name go to JMH, e.g.
#   integrations/jmh.sh dl4j -wi 2 -i 3 -f 1 -w 1s -r 1s DropoutBenchmark
#   integrations/jmh.sh smile -wi 3 -i 5 -f 1 -w 1s -r 1s SmileDropoutBenchmark
# or, for DL4J's training step timed interleaved (TrainingStepTiming: steadier than JMH on a busy machine),
#   integrations/jmh.sh dl4j --timing [rounds]
# Needs the library installed (mvn install -Dinvoker.skip=true at the root) and a JDK 25+ (VECDROP_JAVA_HOME,
# JAVA_HOME or /usr/lib/jvm).
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
case "${1:-}" in
  dl4j|smile) integration=$1; shift; cd "$here/$integration" ;;
  *) echo "usage: integrations/jmh.sh dl4j|smile [--timing [rounds]] [JMH arguments]" >&2; exit 2 ;;
esac
source "$here/../src/scripts/find-java.sh" jmh.sh
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt \
  -Dmdep.includeScope=test >&2
main=org.openjdk.jmh.Main
if [ "${1:-}" = "--timing" ]; then
  [ "$integration" = dl4j ] || { echo "jmh.sh: --timing is DL4J's training step" >&2; exit 2; }
  main=dev.vecdrop.dl4j.TrainingStepTiming
  shift
fi
# Smile's BLAS binding finds libopenblas.so here where the build unpacked one (Linux x86-64), else the system's; the
# JVMs JMH forks inherit it.
if [ -d target/openblas ]; then export LD_LIBRARY_PATH="$PWD/target/openblas${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; fi
exec "$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" "$main" "$@"
