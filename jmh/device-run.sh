#!/bin/bash
# The runs of docs/benchmarks.md "On the lent 16-core Intel Xeon (stop 33)", for a machine without a JDK:
# a jlink image of JDK 25 and the JMH uber-jar travel with the checkout.
#
#   jlink --add-modules java.base,jdk.incubator.vector,java.management,jdk.management,java.logging,jdk.unsupported \
#         --strip-debug --no-man-pages --no-header-files --compress=zip-9 --output .devjdk
#   mvn -B -q -Dmaven.test.skip=true -f jmh/pom.xml package        # builds jmh/target/benchmarks.jar
#   then, there: JAVA=.devjdk/bin/java OUT=results jmh/device-run.sh   (SCALE=2 doubles the measured iterations)
#
# Writes one JMH JSON per group, log.txt and machine.txt (lscpu, memory, JDK) under $OUT. About 5.5 minutes.
set -u
J=${JAVA:-java}
JAR=${JAR:-jmh/target/benchmarks.jar}
O=${OUT:-jmh/target/device-run}
S=${SCALE:-1}
mkdir -p "$O"
{ date; nproc; lscpu; free -g; cat /sys/kernel/mm/transparent_hugepage/enabled; "$J" -version; } > "$O/machine.txt" 2>&1
ARGS="--add-modules=jdk.incubator.vector -XX:+UseTransparentHugePages -Xmx6g"
run() { # a name for the JSON, then JMH's arguments
  local name=$1; shift
  echo "== $name $(date +%T)"
  "$J" -jar "$JAR" "$@" -f 1 -jvm "$J" -rf json -rff "$O/$name.json" -jvmArgsAppend "$ARGS" >> "$O/log.txt" 2>&1
  echo "   rc=$? $(date +%T)"
}
run parallel 'ParallelBenchmarks.(forward|limitScale)$' -p n=67108864 -p threads=1,2,4,8,16 -wi 2 -i $((3*S)) -w 1 -r 1
run bars 'GaussianBenchmarks.(dropoutForward|gaussianDropoutForward|gaussianNoiseForward|dropoutForwardDouble|gaussianDropoutForwardDouble|gaussianNoiseForwardDouble)$|FusedBenchmarks.(fusedResidualForward|unfusedResidualForward|fusedBiasReluDropoutForward|unfusedBiasReluDropoutForward)$' -p n=16384,16777216 -wi 2 -i $((4*S)) -w 1 -r 1
run gaussian 'ParallelGaussianBenchmarks.(dropoutParallel|plainParallel)$' -p n=16777216 -p threads=1,2,4,8,16 -wi 2 -i $((3*S)) -w 1 -r 1
run normal 'NormalBenchmarks.(vectorFill|scalarReference|splittableRandomNextGaussian)$' -p n=16384 -wi 2 -i $((3*S)) -w 1 -r 1
run threshold 'ParallelBenchmarks.(singleCallForward|forwardAlwaysSplit)$' -p n=65536,262144,1048576 -p threads=16 -wi 2 -i $((3*S)) -w 1 -r 1
grep -E "^(Benchmark|Parallel|Gaussian|Fused|Normal)" "$O/log.txt" | grep -v "^Benchmark mode"
