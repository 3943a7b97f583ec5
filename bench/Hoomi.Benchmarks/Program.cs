using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Hoomi.Benchmarks.Hme1Benchmarks).Assembly).Run(args);
