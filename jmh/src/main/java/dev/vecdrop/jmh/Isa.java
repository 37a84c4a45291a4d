package dev.vecdrop.jmh;

import org.openjdk.jmh.annotations.Fork;

/**
 * The JVMs the suite compares, side by side in one run: a set of JVM flags per ISA (JMH forks a JVM for each
 * benchmark and size). All get transparent huge pages, which lift the 16M-float cases of every kernel, the limits
 * included, by about a third on these VMs.
 */
public final class Isa {

    private Isa() {}

    /** The preferred width of this CPU (512-bit on AVX-512). */
    @Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseTransparentHugePages"})
    public static class Preferred extends DropoutBenchmarks {}

    /** 256-bit vectors on whatever the CPU has (on AVX-512: with its native 64-bit multiply). */
    @Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseTransparentHugePages",
            "-Dvecdrop.vector.bits=256"})
    public static class Forced256 extends DropoutBenchmarks {}

    /** The JIT as on an AVX2-only CPU: no 64-bit lane multiply, no mask registers. x86 only. */
    @Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseTransparentHugePages",
            "-XX:UseAVX=2"})
    public static class Avx2 extends DropoutBenchmarks {}
}
