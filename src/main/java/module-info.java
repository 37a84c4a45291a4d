/**
 * vecdrop: bit-exact SIMD dropout with a counter-based SplitMix64 mask stream.
 *
 * <p>Only {@code dev.vecdrop} is API. The Vector API is optional at run time ({@code requires static}):
 * without {@code --add-modules jdk.incubator.vector} the scalar reference kernels run and one log line
 * says why.
 */
module dev.vecdrop {
    requires static jdk.incubator.vector;
    // HotSpot flags tell whether C2 is available; optional, so the library also runs on a minimal image.
    requires java.management;
    requires static jdk.management;
    // Only the command-line tool uses these; library users never load them.
    requires static info.picocli;
    requires static org.jfree.jfreechart;
    requires static java.desktop;

    exports dev.vecdrop;

    opens dev.vecdrop.cli to info.picocli;
}
