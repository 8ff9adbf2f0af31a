// Integration tests wait on real servers: consumer-group joins alone take seconds.
jest.setTimeout(120_000);
