package dev.vecdrop.examples.consumer;

import dev.vecdrop.ChannelLayout;
import dev.vecdrop.Dropout;
import dev.vecdrop.FloatSegmentDropout;
import dev.vecdrop.MaskStream;
import dev.vecdrop.Vectorization;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Runs the library's public API from outside it, as a user's program does, and checks every result bit for bit
 * against the mask stream's contract, {@link MaskStream#keep}: dropout forward and backward on {@code float[]} and
 * {@code double[]} (backward by regenerating the mask and from a stored mask), a {@link FloatSegmentDropout} on a
 * native segment, and per-channel layouts. It also checks that it runs in the mode it was started for (class path or
 * module path: the library a named, explicit module that exports its API and nothing else to this one) and that the
 * jar's vector kernels were picked. Any mismatch throws, so the JVM exits non-zero and the build fails.
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector ... ConsumerCheck class-path|module-path}.
 *
 * <p>Thread-safety: a program, single-threaded. Allocation: a few small arrays and one native segment.
 */
public final class ConsumerCheck {

    private static final long SEED = 0x5eed_cafe_f00d_1234L;
    /** Odd, so element 0 of a call is the high half of a stream word. */
    private static final long STREAM_OFFSET = 12_345;
    private static final double P = 0.3;
    /** Not a multiple of any vector width: the kernels' tails run too. */
    private static final int LENGTH = 1_003;

    private ConsumerCheck() {}

    /**
     * Runs the checks.
     *
     * @param args {@code class-path} or {@code module-path}: how the JVM was started
     */
    public static void main(String[] args) {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ConsumerCheck class-path|module-path");
        }
        checkMode(args[0]);
        Dropout dropout = Dropout.inverted(P);
        // A jar without its vector classes would fall back to the scalar kernels with one log line and still give
        // right results: only this catches it.
        check(Vectorization.vectorModulePresent(), "jdk.incubator.vector is not present: start with --add-modules");
        check(dropout.implementation().startsWith("vector-"),
                "expected the vector kernels, got " + dropout.implementation() + ": " + Vectorization.reason());
        long t = MaskStream.threshold(P);
        check(dropout.threshold() == t, "threshold " + dropout.threshold() + " != " + t);
        check(dropout.trainScale() == (float) (1.0 / (1.0 - P)), "float train scale " + dropout.trainScale());
        check(dropout.trainScaleDouble() == 1.0 / (1.0 - P), "double train scale " + dropout.trainScaleDouble());

        floatArrays(dropout, t);
        doubleArrays(dropout, t);
        nativeSegment(dropout, t);
        channelsFirst(t);
        channelsLast(t);
        System.out.println("consumer check passed: " + args[0] + ", " + dropout.implementation());
    }

    private static void checkMode(String mode) {
        Module self = ConsumerCheck.class.getModule();
        Module library = Dropout.class.getModule();
        switch (mode) {
            case "class-path" -> {
                check(!self.isNamed(), "class-path run, but this program is in module " + self.getName());
                check(!library.isNamed(), "class-path run, but the library is in module " + library.getName());
            }
            case "module-path" -> {
                check("dev.vecdrop.examples.consumer".equals(self.getName()), "module-path run, but in " + self);
                check("dev.vecdrop".equals(library.getName()), "the library is not module dev.vecdrop: " + library);
                check(!library.getDescriptor().isAutomatic(), "the library jar has no module descriptor");
                check(library.isExported("dev.vecdrop", self), "dev.vecdrop is not exported");
                for (String internal : new String[] {"dev.vecdrop.kernel", "dev.vecdrop.verify", "dev.vecdrop.scalar",
                        "dev.vecdrop.vector"}) {
                    check(library.getPackages().contains(internal), "the jar lacks package " + internal);
                    check(!library.isExported(internal, self), internal + " is exported beyond the CLI");
                }
            }
            default -> throw new IllegalArgumentException("mode must be class-path or module-path, got " + mode);
        }
        System.out.println("mode ok: " + mode + ", library in " + library);
    }

    private static void floatArrays(Dropout dropout, long t) {
        float s = dropout.trainScale();
        float[] x = new float[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            x[i] = (i - 500) * 0.37f + 0.1f;
        }
        float[] y = new float[LENGTH];
        long[] mask = new long[Dropout.maskWords(LENGTH)];
        dropout.forward(SEED, STREAM_OFFSET, x, 0, y, 0, LENGTH, mask, 0);
        int kept = 0;
        for (int i = 0; i < LENGTH; i++) {
            boolean keep = MaskStream.keep(SEED, STREAM_OFFSET + i, t);
            kept += keep ? 1 : 0;
            same(keep ? x[i] * s : 0.0f, y[i], "float forward", i);
            check(((mask[i >>> 6] >>> (i & 63)) & 1) == (keep ? 1 : 0), "float forward mask bit " + i);
        }
        checkBothOutcomes(kept, LENGTH, "float forward");

        float[] dx = new float[LENGTH];
        dropout.backward(SEED, STREAM_OFFSET, x, 0, dx, 0, LENGTH);
        float[] fromMask = new float[LENGTH];
        dropout.backward(mask, 0, x, 0, fromMask, 0, LENGTH);
        for (int i = 0; i < LENGTH; i++) {
            same(y[i], dx[i], "float backward (regenerated mask)", i);
            same(y[i], fromMask[i], "float backward (stored mask)", i);
        }
        System.out.println("float[] ok: forward, mask, backward; " + kept + " of " + LENGTH + " kept");
    }

    private static void doubleArrays(Dropout dropout, long t) {
        double s = dropout.trainScaleDouble();
        double[] x = new double[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            x[i] = (i - 500) * 0.37 + 0.1;
        }
        double[] y = x.clone();
        dropout.forward(SEED, STREAM_OFFSET, y, 0, y, 0, LENGTH); // in place
        int kept = 0;
        for (int i = 0; i < LENGTH; i++) {
            boolean keep = MaskStream.keep(SEED, STREAM_OFFSET + i, t);
            kept += keep ? 1 : 0;
            same(keep ? x[i] * s : 0.0, y[i], "double forward", i);
        }
        checkBothOutcomes(kept, LENGTH, "double forward");
        double[] dx = new double[LENGTH];
        dropout.backward(SEED, STREAM_OFFSET, x, 0, dx, 0, LENGTH);
        for (int i = 0; i < LENGTH; i++) {
            same(y[i], dx[i], "double backward", i);
        }
        System.out.println("double[] ok: forward in place, backward; " + kept + " of " + LENGTH + " kept");
    }

    private static void nativeSegment(Dropout dropout, long t) {
        FloatSegmentDropout segments = dropout.floatSegments();
        float s = segments.trainScale();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocate(ValueLayout.JAVA_FLOAT, LENGTH);
            MemorySegment y = arena.allocate(ValueLayout.JAVA_FLOAT, LENGTH);
            for (int i = 0; i < LENGTH; i++) {
                x.setAtIndex(ValueLayout.JAVA_FLOAT, i, i * 0.25f - 100f);
            }
            segments.forward(SEED, STREAM_OFFSET, x, 0, y, 0, LENGTH);
            int kept = 0;
            for (int i = 0; i < LENGTH; i++) {
                boolean keep = MaskStream.keep(SEED, STREAM_OFFSET + i, t);
                kept += keep ? 1 : 0;
                float xi = x.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                same(keep ? xi * s : 0.0f, y.getAtIndex(ValueLayout.JAVA_FLOAT, i), "native segment forward", i);
            }
            checkBothOutcomes(kept, LENGTH, "native segment forward");
            segments.backward(SEED, STREAM_OFFSET, x, 0, x, 0, LENGTH); // in place
            for (int i = 0; i < LENGTH; i++) {
                same(y.getAtIndex(ValueLayout.JAVA_FLOAT, i), x.getAtIndex(ValueLayout.JAVA_FLOAT, i),
                        "native segment backward", i);
            }
            System.out.println("native MemorySegment ok: forward, backward in place; " + kept + " of " + LENGTH + " kept");
        }
    }

    /** {@code (N, C, S)} float32: decision {@code (n, c)} is stream element {@code offset + n * C + c}, for S elements. */
    private static void channelsFirst(long t) {
        int n = 7, c = 5, positions = 9;
        Dropout dropout = Dropout.inverted(P).perChannel(ChannelLayout.channelsFirst(c, positions));
        float s = dropout.trainScale();
        float[] x = new float[n * c * positions];
        for (int i = 0; i < x.length; i++) {
            x[i] = 1.5f + i;
        }
        float[] y = new float[x.length];
        dropout.forward(SEED, STREAM_OFFSET, x, 0, y, 0, x.length);
        int kept = 0;
        for (int sample = 0; sample < n; sample++) {
            for (int channel = 0; channel < c; channel++) {
                boolean keep = MaskStream.keep(SEED, STREAM_OFFSET + (long) sample * c + channel, t);
                kept += keep ? 1 : 0;
                for (int p = 0; p < positions; p++) {
                    int i = (sample * c + channel) * positions + p;
                    same(keep ? x[i] * s : 0.0f, y[i], "channels-first forward", i);
                }
            }
        }
        checkBothOutcomes(kept, n * c, "channels-first forward");
        System.out.println("per-channel (N, C, S) float[] ok: " + kept + " of " + n * c + " channels kept");
    }

    /** {@code (N, S, C)} float64: the C decisions of a sample repeat at each of its S positions. */
    private static void channelsLast(long t) {
        int n = 6, positions = 11, c = 8;
        Dropout dropout = Dropout.inverted(P).perChannel(ChannelLayout.channelsLast(positions, c));
        double s = dropout.trainScaleDouble();
        double[] x = new double[n * positions * c];
        for (int i = 0; i < x.length; i++) {
            x[i] = -2.25 + i;
        }
        double[] y = new double[x.length];
        dropout.forward(SEED, STREAM_OFFSET, x, 0, y, 0, x.length);
        int kept = 0;
        for (int sample = 0; sample < n; sample++) {
            for (int channel = 0; channel < c; channel++) {
                boolean keep = MaskStream.keep(SEED, STREAM_OFFSET + (long) sample * c + channel, t);
                kept += keep ? 1 : 0;
                for (int p = 0; p < positions; p++) {
                    int i = (sample * positions + p) * c + channel;
                    same(keep ? x[i] * s : 0.0, y[i], "channels-last forward", i);
                }
            }
        }
        checkBothOutcomes(kept, n * c, "channels-last forward");
        System.out.println("per-channel (N, S, C) double[] ok: " + kept + " of " + n * c + " channels kept");
    }

    /** Bit for bit: a dropped element must be +0.0, not -0.0. */
    private static void same(float expected, float actual, String what, int i) {
        check(Float.floatToRawIntBits(expected) == Float.floatToRawIntBits(actual),
                what + ": element " + i + " is " + actual + ", expected " + expected);
    }

    private static void same(double expected, double actual, String what, int i) {
        check(Double.doubleToRawLongBits(expected) == Double.doubleToRawLongBits(actual),
                what + ": element " + i + " is " + actual + ", expected " + expected);
    }

    /** A run that kept all or nothing would pass the comparisons without telling kept from dropped. */
    private static void checkBothOutcomes(int kept, int decisions, String what) {
        check(kept > 0 && kept < decisions, what + ": " + kept + " of " + decisions + " kept");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new AssertionError("consumer check failed: " + message);
        }
    }
}
