/**
 * The consumer check: a program that uses the installed library artifact {@code dev.vecdrop:vecdrop} as any user
 * would, by its coordinates and its public API only. On the module path it needs the jar's module descriptor
 * (module {@code dev.vecdrop}, exporting {@code dev.vecdrop}); the same classes also run on the class path.
 */
module dev.vecdrop.examples.consumer {
    requires dev.vecdrop;
}
