package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Per-channel calls over one channels-last sample of {@code Integer.MAX_VALUE - 8} channels, the largest a Java
 * array holds: the loops over a sample's channels step by a chunk and must not overflow at its end. Until stop 31
 * they stepped by a whole chunk ({@code c += 256}, {@code c0 += 4096}), wrapped past {@code Integer.MAX_VALUE} and
 * never ended (each case ran past 120 s without returning; with the fix both take 35 s on this VM).
 *
 * <p>Opt-in, as no CI machine can be asked for the 8 GiB each case needs:
 * {@code JAVA_TOOL_OPTIONS=-Xmx10g mvn -B -o toolchains:select-jdk-toolchain@default surefire:test@default-test
 * -Dtest=HugeSampleTest -Dvecdrop.test.huge=true} after {@code mvn test-compile}. The array case also needs the heap
 * ({@code -Xmx10g}); the segment case allocates off the heap.
 */
@EnabledIfSystemProperty(named = "vecdrop.test.huge", matches = "true")
class HugeSampleTest {

    private static final int CHANNELS = Integer.MAX_VALUE - 8;
    private static final long SEED = 7;
    /** Elements checked at the sample's end, where the last, short chunk lies. */
    private static final int CHECKED = 300;

    @Test
    @Timeout(300)
    void dropoutOverAnArraySampleOfAlmostIntegerMaxValueChannelsEnds() {
        assumeTrue(Runtime.getRuntime().maxMemory() > 9L << 30, "needs -Xmx10g: the array is 8 GiB");
        float[] x = new float[CHANNELS];
        Arrays.fill(x, 1f);
        Dropout.inverted(0.5).perChannel(ChannelLayout.channelsLast(1, CHANNELS)).forward(SEED, 0, x, 0, x, 0, CHANNELS);
        long threshold = MaskStream.threshold(0.5);
        for (int i = CHANNELS - CHECKED; i < CHANNELS; i++) {
            assertEquals(MaskStream.keep(SEED, i, threshold) ? 2f : 0f, x[i], "channel " + i);
        }
    }

    @Test
    @Timeout(300)
    void gaussianNoiseOverASegmentSampleOfAlmostIntegerMaxValueChannelsEnds() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocate((long) CHANNELS * Float.BYTES, 64);
            GaussianNoise.of(1.0).perChannel(ChannelLayout.channelsLast(1, CHANNELS))
                    .forwardFloats(SEED, 0, x, 0, x, 0, CHANNELS);
            for (int i = CHANNELS - CHECKED; i < CHANNELS; i++) {
                assertEquals(Float.floatToRawIntBits(NormalStream.z(SEED, i)),
                        Float.floatToRawIntBits(x.getAtIndex(ValueLayout.JAVA_FLOAT, i)), "channel " + i);
            }
        }
    }
}
