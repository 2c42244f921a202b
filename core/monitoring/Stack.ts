/**
 * An example monitoring stack to try the generated rules and dashboard: Prometheus (scraping the Filon
 * server, a CLI run's --prometheus-port and the Pushgateway), Grafana (datasource and dashboard
 * provisioned from files) and a Pushgateway for cron runs. Nothing else in Filon needs it.
 */
import { DATASOURCE_UID } from "./Dashboard.ts"

/** Ports on the host: the CLI's --prometheus-port and the server's FILON_PORT default. */
export const CLI_METRICS_PORT = 9464
export const SERVER_PORT = 8787

export const prometheusConfig = () => ({
  global: { scrape_interval: "15s", evaluation_interval: "15s" },
  rule_files: ["alerts.yml"],
  scrape_configs: [
    {
      // Runs pushed at their end (--pushgateway): keep their job and grouping labels.
      job_name: "pushgateway",
      honor_labels: true,
      static_configs: [{ targets: ["pushgateway:9091"] }]
    },
    {
      // `filon serve` (with FILON_HOST beyond loopback it needs a token; metrics stay open unless server.metrics_auth).
      job_name: "filon-server",
      static_configs: [{ targets: [`host.docker.internal:${SERVER_PORT}`] }]
    },
    {
      // A long CLI run started with --prometheus-port 9464 (and FILON_HOST=0.0.0.0 to be reachable from a container).
      job_name: "filon-cli",
      static_configs: [{ targets: [`host.docker.internal:${CLI_METRICS_PORT}`] }]
    }
  ]
})

export const grafanaDatasources = () => ({
  apiVersion: 1,
  datasources: [
    {
      name: "Prometheus",
      uid: DATASOURCE_UID,
      type: "prometheus",
      access: "proxy",
      url: "http://prometheus:9090",
      isDefault: true
    }
  ]
})

export const grafanaDashboardProvider = () => ({
  apiVersion: 1,
  providers: [
    {
      name: "filon",
      folder: "Filon",
      type: "file",
      disableDeletion: true,
      options: { path: "/var/lib/grafana/dashboards" }
    }
  ]
})

export const dockerCompose = () => ({
  services: {
    prometheus: {
      image: "prom/prometheus:v3.5.0",
      command: ["--config.file=/etc/prometheus/prometheus.yml"],
      volumes: ["./prometheus:/etc/prometheus:ro"],
      ports: ["127.0.0.1:9090:9090"],
      // Reaches `filon serve` and CLI runs on the host.
      extra_hosts: ["host.docker.internal:host-gateway"]
    },
    pushgateway: {
      image: "prom/pushgateway:v1.11.0",
      ports: ["127.0.0.1:9091:9091"]
    },
    grafana: {
      image: "grafana/grafana:11.6.0",
      environment: {
        GF_AUTH_ANONYMOUS_ENABLED: "true",
        GF_AUTH_ANONYMOUS_ORG_ROLE: "Viewer",
        GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: "/var/lib/grafana/dashboards/filon.json"
      },
      volumes: [
        "./grafana/provisioning:/etc/grafana/provisioning:ro",
        "./grafana/dashboards:/var/lib/grafana/dashboards:ro"
      ],
      ports: ["127.0.0.1:3000:3000"],
      depends_on: ["prometheus"]
    }
  }
})
