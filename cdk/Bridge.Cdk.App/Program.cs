namespace Bridge.Cdk.App; internal static class Program { private static int Main() => 0; }
