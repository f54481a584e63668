// The Prometheus text parser lives in dev/ (the demo shop's metrics page reads the live endpoints with it).
export * from '../../dev/prom-text';
