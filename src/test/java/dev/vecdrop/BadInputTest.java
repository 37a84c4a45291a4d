package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/** Every rejected call throws the documented exception, names what is wrong, and writes nothing. */
class BadInputTest {

    private static final float FILL = 42.5f;
    private static final long WORD = 0x0123_4567_89ab_cdefL;

    private final float[] x = filled(100);
    private final float[] y = filled(100);
    private final long[] mask = words(2);

    private record Case(String name, Class<? extends RuntimeException> expected, String mentions, Executable call) {}

    @TestFactory
    Stream<DynamicTest> everyRejectedCallLeavesEveryOutputUntouched() {
        return rejectedCalls(Dropout.inverted(0.5));
    }

    /** Alpha dropout's forward runs other kernels, and its backward is split from it: the same checks first. */
    @TestFactory
    Stream<DynamicTest> everyRejectedAlphaDropoutCallLeavesEveryOutputUntouched() {
        return rejectedCalls(Dropout.alpha(0.5));
    }

    private Stream<DynamicTest> rejectedCalls(Dropout dropout) {
        List<Case> cases = new ArrayList<>();
        float[] shortArray = filled(10);
        cases.add(new Case("null x", NullPointerException.class, "x", () -> dropout.forward(1, 0, null, 0, y, 0, 10)));
        cases.add(new Case("null y", NullPointerException.class, "y", () -> dropout.forward(1, 0, x, 0, null, 0, 10)));
        cases.add(new Case("null mask", NullPointerException.class, "mask",
                () -> dropout.forward(1, 0, x, 0, y, 0, 10, null, 0)));
        cases.add(new Case("negative length", IllegalArgumentException.class, "-1",
                () -> dropout.forward(1, 0, x, 0, y, 0, -1)));
        cases.add(new Case("negative x offset", IndexOutOfBoundsException.class, "-3",
                () -> dropout.forward(1, 0, x, -3, y, 0, 10)));
        cases.add(new Case("y region past the end", IndexOutOfBoundsException.class, "95",
                () -> dropout.forward(1, 0, x, 0, y, 95, 10)));
        cases.add(new Case("offset + length overflows int", IndexOutOfBoundsException.class, "2147483647",
                () -> dropout.forward(1, 0, x, Integer.MAX_VALUE, y, 0, 10)));
        cases.add(new Case("x too short", IndexOutOfBoundsException.class, "10",
                () -> dropout.forward(1, 0, shortArray, 0, y, 0, 50)));
        cases.add(new Case("mask too short", IndexOutOfBoundsException.class, "mask",
                () -> dropout.forward(1, 0, x, 0, y, 0, 100, mask, 1)));
        cases.add(new Case("negative mask offset", IndexOutOfBoundsException.class, "-1",
                () -> dropout.forward(1, 0, x, 0, y, 0, 10, mask, -1)));
        cases.add(new Case("negative stream offset", IllegalArgumentException.class, "-1",
                () -> dropout.forward(1, -1, x, 0, y, 0, 10)));
        cases.add(new Case("stream offset + length overflows", IllegalArgumentException.class, "9223372036854775800",
                () -> dropout.forward(1, Long.MAX_VALUE - 7, x, 0, y, 0, 10)));
        cases.add(new Case("partial overlap", IllegalArgumentException.class, "overlap",
                () -> dropout.forward(1, 0, y, 0, y, 1, 10)));
        cases.add(new Case("partial overlap backward", IllegalArgumentException.class, "overlap",
                () -> dropout.backward(1, 0, y, 5, y, 0, 10)));
        cases.add(new Case("partial overlap eval", IllegalArgumentException.class, "overlap",
                () -> dropout.eval(y, 50, y, 41, 10)));
        cases.add(new Case("backward from bits, mask too short", IndexOutOfBoundsException.class, "mask",
                () -> dropout.backward(mask, 1, x, 0, y, 0, 65)));
        cases.add(new Case("backward from bits, null dy", NullPointerException.class, "dy",
                () -> dropout.backward(mask, 0, null, 0, y, 0, 10)));
        cases.add(new Case("backward by regeneration, dx past the end", IndexOutOfBoundsException.class, "dx",
                () -> dropout.backward(1, 0, x, 0, y, 91, 10)));
        cases.add(new Case("mask alone, too short", IndexOutOfBoundsException.class, "mask",
                () -> dropout.mask(1, 0, mask, 0, 129)));
        cases.add(new Case("mask alone, negative stream offset", IllegalArgumentException.class, "stream",
                () -> dropout.mask(1, -5, mask, 0, 10)));
        cases.add(new Case("eval, y too short", IndexOutOfBoundsException.class, "y",
                () -> dropout.eval(x, 0, shortArray, 0, 11)));
        DropoutLayer layer = new DropoutLayer(dropout, 3);
        cases.add(new Case("layer forward past the end", IndexOutOfBoundsException.class, "y",
                () -> layer.forward(x, 0, y, 99, 2)));
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            RuntimeException e = assertThrows(c.expected(), c.call());
            assertTrue(e.getMessage() != null && e.getMessage().contains(c.mentions()),
                    "message should mention '" + c.mentions() + "': " + e.getMessage());
            assertArrayEquals(filled(100), x, "x written");
            assertArrayEquals(filled(100), y, "y written");
            assertArrayEquals(filled(10), shortArray, "short array written");
            assertArrayEquals(words(2), mask, "mask written");
            assertTrue(layer.position() == 0, "the layer's stream position moved");
        }));
    }

    @TestFactory
    Stream<DynamicTest> badProbabilitiesAreRejectedAtConstruction() {
        return Stream.of(-0.1, 1.1, Double.NaN, Double.NEGATIVE_INFINITY).map(p -> DynamicTest.dynamicTest("p=" + p,
                () -> assertThrows(IllegalArgumentException.class, () -> Dropout.of(p, Scaling.CLASSIC))));
    }

    @TestFactory
    Stream<DynamicTest> alphaDropoutRejectsPOneWhereItsScaleIsInfinite() {
        return Stream.of(1.0, -0.1, 1.1, Double.NaN).map(p -> DynamicTest.dynamicTest("p=" + p, () -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dropout.alpha(p));
            assertTrue(e.getMessage().contains(p == 1.0 ? "p < 1" : "p"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Dropout.of(p, Scaling.ALPHA));
        }));
    }

    private static float[] filled(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, FILL);
        return a;
    }

    private static long[] words(int n) {
        long[] a = new long[n];
        java.util.Arrays.fill(a, WORD);
        return a;
    }
}
