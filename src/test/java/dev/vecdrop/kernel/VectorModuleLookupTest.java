package dev.vecdrop.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.classfile.ClassFile;
import java.lang.classfile.attribute.ModuleAttribute;
import java.lang.constant.ModuleDesc;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.reflect.AccessFlag;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The selector looks for {@code jdk.incubator.vector} in the library's own module layer first, then in the boot
 * layer, so an application that resolves the module in the layer it loads vecdrop into gets SIMD kernels. The
 * incubator module itself can only be defined to the boot loader, so the lookup is shown on stand-in modules.
 */
class VectorModuleLookupTest {

    /** A module that is also in the boot layer (in every leg), so a child layer's copy shadows it. */
    private static final String ALSO_AT_BOOT = "jdk.net";
    private static final String ONLY_IN_LAYER = "dev.vecdrop.layertest";

    /** A child of the boot layer holding empty explicit modules with these names. */
    private static ModuleLayer layerWith(Path dir, String... names) throws Exception {
        ModuleFinder[] finders = new ModuleFinder[names.length];
        for (int i = 0; i < names.length; i++) {
            Path moduleDir = Files.createDirectories(dir.resolve(names[i]));
            byte[] info = ClassFile.of().buildModule(ModuleAttribute.of(ModuleDesc.of(names[i]),
                    m -> m.requires(ModuleDesc.of("java.base"), AccessFlag.MANDATED.mask(), null)));
            Files.write(moduleDir.resolve("module-info.class"), info);
            finders[i] = ModuleFinder.of(moduleDir);
        }
        ModuleLayer boot = ModuleLayer.boot();
        Configuration cf = boot.configuration().resolve(ModuleFinder.compose(finders), ModuleFinder.of(), Set.of(names));
        return boot.defineModulesWithOneLoader(cf, ClassLoader.getSystemClassLoader());
    }

    @Test
    void theCallersLayerIsSearchedBeforeTheBootLayer(@TempDir Path dir) throws Exception {
        ModuleLayer layer = layerWith(dir, ALSO_AT_BOOT);
        Module own = layer.findModule(ALSO_AT_BOOT).orElseThrow();
        assertSame(layer, own.getLayer());
        assertNotSame(ModuleLayer.boot().findModule(ALSO_AT_BOOT).orElseThrow(), own);
        assertSame(own, KernelSelector.findModule(layer, ALSO_AT_BOOT).orElseThrow());
    }

    @Test
    void aModuleOnlyTheCallersLayerHasIsFound(@TempDir Path dir) throws Exception {
        ModuleLayer layer = layerWith(dir, ONLY_IN_LAYER);
        assertTrue(ModuleLayer.boot().findModule(ONLY_IN_LAYER).isEmpty());
        assertSame(layer.findModule(ONLY_IN_LAYER).orElseThrow(),
                KernelSelector.findModule(layer, ONLY_IN_LAYER).orElseThrow());
        assertEquals(Optional.empty(), KernelSelector.findModule(null, ONLY_IN_LAYER));
    }

    @Test
    void withoutALayerOrWithoutTheModuleInItTheBootLayerAnswers() {
        Optional<Module> boot = ModuleLayer.boot().findModule(ALSO_AT_BOOT);
        assertTrue(boot.isPresent());
        assertEquals(boot, KernelSelector.findModule(null, ALSO_AT_BOOT)); // the class path: no layer
        assertEquals(boot, KernelSelector.findModule(ModuleLayer.empty(), ALSO_AT_BOOT));
        assertEquals(boot, KernelSelector.findModule(ModuleLayer.boot(), ALSO_AT_BOOT));
        assertEquals(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                KernelSelector.vectorModulePresent());
    }
}
