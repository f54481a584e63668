// The PromQL metric-name reader lives in dev/ (the demo shop's metrics page follows the dashboard's expressions).
export * from '../../dev/promql-names';
