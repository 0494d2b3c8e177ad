namespace Bridge.Cdk;

/// <summary>The CPU/memory pairs Fargate accepts, checked at synth rather than halfway through a deployment.</summary>
internal static class FargateTaskSize
{
    // CPU units → the memory sizes (MiB) Fargate allows with it (the Fargate task size table).
    private static readonly Dictionary<int, int[]> MemoryByCpu = new()
    {
        [256] = [512, 1024, 2048],
        [512] = Range(1024, 4096, 1024),
        [1024] = Range(2048, 8192, 1024),
        [2048] = Range(4096, 16384, 1024),
        [4096] = Range(8192, 30720, 1024),
        [8192] = Range(16384, 61440, 4096),
        [16384] = Range(32768, 122880, 8192),
    };

    public static void Validate(int cpu, int memoryMiB)
    {
        if (!MemoryByCpu.TryGetValue(cpu, out var allowed))
        {
            throw new ArgumentException($"Cpu must be one of {string.Join(", ", MemoryByCpu.Keys)} units (was {cpu}).", nameof(cpu));
        }

        if (!allowed.Contains(memoryMiB))
        {
            throw new ArgumentException(
                $"MemoryMiB {memoryMiB} does not fit Cpu {cpu}: use {allowed[0]}–{allowed[^1]} MiB in steps of {allowed[1] - allowed[0]}.",
                nameof(memoryMiB));
        }
    }

    private static int[] Range(int min, int max, int step) =>
        Enumerable.Range(0, ((max - min) / step) + 1).Select(i => min + (i * step)).ToArray();
}
