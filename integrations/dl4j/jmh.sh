#!/usr/bin/env bash
# The DL4J benchmarks (DropoutBenchmark, TrainingStepBenchmark in src/test/java): compiles them with the tests,
# then runs JMH on the test class path. Arguments go to JMH, e.g.
#   integrations/dl4j/jmh.sh -wi 2 -i 3 -f 1 -w 1s -r 1s DropoutBenchmark
# or, for the training step timed interleaved (TrainingStepTiming: steadier than JMH on a busy machine),
#   integrations/dl4j/jmh.sh --timing [rounds]
# Needs the library installed (mvn install -Dinvoker.skip=true at the root) and a JDK 25+ (VECDROP_JAVA_HOME,
# JAVA_HOME or /usr/lib/jvm).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
java=
for home in "${VECDROP_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/*; do
  [ -n "$home" ] && [ -x "$home/bin/java" ] && [ -f "$home/release" ] || continue
  version=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
  if [ -n "$version" ] && [ "$version" -ge 25 ]; then java="$home/bin/java"; break; fi
done
[ -n "$java" ] || { echo "jmh.sh: needs a JDK 25 or newer; set JAVA_HOME or VECDROP_JAVA_HOME" >&2; exit 2; }
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt \
  -Dmdep.includeScope=test >&2
main=org.openjdk.jmh.Main
if [ "${1:-}" = "--timing" ]; then main=dev.vecdrop.dl4j.TrainingStepTiming; shift; fi
exec "$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" "$main" "$@"
