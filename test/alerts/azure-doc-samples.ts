/**
 * Azure Monitor common-schema payloads for the alert kinds test/fixtures/azure/ has no file for,
 * following the samples in `MicrosoftDocs/azure-monitor-docs`
 * (`articles/azure-monitor/alerts/alerts-payload-samples.md`, "Sample payloads for test actions"):
 * the same structure and field names, with the fleet story's names and fake ids.
 */

const SUBSCRIPTION = '/subscriptions/00000000-0000-0000-0000-00000000f1ee';
const GROUP = `${SUBSCRIPTION}/resourcegroups/rg-fleet-prod`;
const APP_INSIGHTS = `${GROUP}/providers/microsoft.insights/components/appi-fleet-prod`;
const WORKSPACE = `${GROUP}/providers/microsoft.operationalinsights/workspaces/log-fleet-prod`;
const AKS = `${GROUP}/providers/microsoft.containerservice/managedclusters/aks-fleet-prod`;

function alertId(id: string): string {
  return `${SUBSCRIPTION}/providers/Microsoft.AlertsManagement/alerts/00000000-0000-0000-0000-${id}`;
}

/** "Log alert V1 - Number of results", with search results left out for size. */
export const logSearchV1 = {
  schemaId: 'azureMonitorCommonAlertSchema',
  data: {
    essentials: {
      alertId: alertId('0000000a1e11'),
      alertRule: 'fleet-postgres-slow-queries',
      severity: 'Sev3',
      signalType: 'Log',
      monitorCondition: 'Fired',
      monitoringService: 'Log Analytics',
      alertTargetIDs: [WORKSPACE],
      configurationItems: [],
      originAlertId: '00000000-0000-0000-0000-0000000a1f11',
      firedDateTime: '2025-06-12T14:07:27.967Z',
      description: 'Queries slower than 2 s on the fleet database',
      essentialsVersion: '1.0',
      alertContextVersion: '1.1',
    },
    alertContext: {
      SearchQuery: 'AzureDiagnostics | where duration_s > 2',
      SearchIntervalStartTimeUtc: '2025-06-12T14:02:27.967Z',
      SearchIntervalEndtimeUtc: '2025-06-12T14:07:27.967Z',
      ResultCount: 14,
      LinkToSearchResults:
        'https://portal.azure.com#@00000000-0000-0000-0000-0000000000aa/blade/Microsoft_Azure_Monitoring_Logs/LogsBlade/source/Alerts.EmailLinks/q/FAKEV1QUERY',
      LinkToFilteredSearchResultsUI:
        'https://portal.azure.com#@00000000-0000-0000-0000-0000000000aa/blade/Microsoft_Azure_Monitoring_Logs/LogsBlade/source/Alerts.EmailLinks/q/FAKEV1FILTERED',
      LinkToSearchResultsAPI:
        'https://api.loganalytics.io/v1/workspaces/00000000-0000-0000-0000-0000000000bb/query?query=FAKE',
      LinkToFilteredSearchResultsAPI:
        'https://api.loganalytics.io/v1/workspaces/00000000-0000-0000-0000-0000000000bb/query?query=FAKEFILTERED',
      SeverityDescription: 'Informational',
      WorkspaceId: '00000000-0000-0000-0000-0000000000bb',
      SearchIntervalDurationMin: '5',
      AffectedConfigurationItems: [],
      AlertType: 'Number of results',
      IncludeSearchResults: true,
      SearchIntervalInMinutes: '5',
      Threshold: 0,
      Operator: 'Greater Than',
      IncludedSearchResults: 'False',
    },
  },
};

/** "Service health alert" (the test action's form: `impactedServices` an array, numbers for eventSource and level). */
export const serviceHealth = {
  schemaId: 'azureMonitorCommonAlertSchema',
  data: {
    essentials: {
      alertId: `${SUBSCRIPTION}/providers/Microsoft.AlertsManagement/alerts/1234abcd5678efgh1234abcd5678efgh`,
      alertRule: 'fleet-service-health',
      severity: 'Sev4',
      signalType: 'ActivityLog',
      monitorCondition: 'Fired',
      monitoringService: 'ServiceHealth',
      alertTargetIDs: [SUBSCRIPTION],
      originAlertId: '00000000-0000-0000-0000-0000000e0016',
      firedDateTime: '2025-06-12T14:20:36.256Z',
      description: 'Azure service issues in our regions',
      essentialsVersion: '1.0',
      alertContextVersion: '1.0',
    },
    alertContext: {
      authorization: null,
      channels: 1,
      claims: null,
      caller: null,
      correlationId: '00000000-0000-0000-0000-0000000c0016',
      eventSource: 2,
      eventTimestamp: '2025-06-12T14:20:36.256Z',
      httpRequest: null,
      eventDataId: '00000000-0000-0000-0000-0000000d0016',
      level: 3,
      operationName: 'Microsoft.ServiceHealth/incident/action',
      operationId: '00000000-0000-0000-0000-0000000b0016',
      properties: {
        title: 'Azure Kubernetes Service - East US - Degraded API server latency',
        service: 'Azure Kubernetes Service',
        region: 'East US',
        communication: '<p>Engineers are investigating.</p>',
        incidentType: 'Incident',
        trackingId: 'FAKE-0000',
        impactStartTime: '2025-06-12T13:50:00Z',
        impactedServices: [
          { ImpactedRegions: [{ RegionName: 'East US' }], ServiceName: 'Azure Kubernetes Service' },
        ],
        stage: 'Active',
        version: '0.1.1',
      },
      status: 'Active',
      subStatus: null,
      submissionTimestamp: '2025-06-12T14:20:36.256Z',
      ResourceType: null,
    },
  },
};

/** The same service health alert in the payload-samples form: strings for eventSource and level, `impactedServices` a JSON string. */
export const serviceHealthStringForms = {
  ...serviceHealth,
  data: {
    ...serviceHealth.data,
    alertContext: {
      ...serviceHealth.data.alertContext,
      eventSource: 'ServiceHealth',
      level: 'Informational',
      properties: {
        ...serviceHealth.data.alertContext.properties,
        impactedServices:
          '[{"ImpactedRegions":[{"RegionName":"East US"}],"ServiceName":"Azure Kubernetes Service"}]',
      },
    },
  },
};

/** "Availability test alert" (`metricName` "FailedLocation" as in the test action; "Failed Location" elsewhere). */
export const availability = {
  schemaId: 'azureMonitorCommonAlertSchema',
  data: {
    essentials: {
      alertId: alertId('0000000a1e13'),
      alertRule: 'fleet-app-availability-appi-fleet-prod',
      severity: 'Sev1',
      signalType: 'Metric',
      monitorCondition: 'Fired',
      monitoringService: 'Platform',
      alertTargetIDs: [APP_INSIGHTS],
      configurationItems: ['appi-fleet-prod'],
      originAlertId:
        '00000000-0000-0000-0000-00000000f1ee_rg-fleet-prod_microsoft.insights_metricalerts_fleet-app-availability_1234567890',
      firedDateTime: '2025-06-12T14:06:34.824Z',
      description: 'The fleet web app fails its availability test',
      essentialsVersion: '1.0',
      alertContextVersion: '1.0',
    },
    alertContext: {
      properties: null,
      conditionType: 'WebtestLocationAvailabilityCriteria',
      condition: {
        windowSize: 'PT5M',
        allOf: [
          {
            metricName: 'Failed Location',
            metricNamespace: null,
            operator: 'GreaterThan',
            threshold: '2',
            timeAggregation: 'Sum',
            dimensions: [],
            metricValue: 5.0,
            webTestName: 'fleet-app-availability-appi-fleet-prod',
          },
        ],
        windowStartTime: '2025-06-12T14:01:34.824Z',
        windowEndTime: '2025-06-12T14:06:34.824Z',
      },
    },
    customProperties: null,
  },
};

/** "Smart alert" (smart detection always uses the common schema). */
export const smartDetection = {
  schemaId: 'azureMonitorCommonAlertSchema',
  data: {
    essentials: {
      alertId: alertId('0000000a1e14'),
      alertRule: 'Dependency Latency Degradation - appi-fleet-prod',
      severity: 'Sev3',
      signalType: 'Log',
      monitorCondition: 'Fired',
      monitoringService: 'SmartDetector',
      alertTargetIDs: [APP_INSIGHTS],
      configurationItems: ['appi-fleet-prod'],
      originAlertId: '1234abcd5678efgh1234abcd5678efgh1234abcd5678efgh1234abcd5678efgh',
      firedDateTime: '2025-06-12T14:09:09.1115084Z',
      description:
        'Dependency Latency Degradation notifies you of an unusual increase in response by a dependency your app is calling (e.g. REST API or database)',
      essentialsVersion: '1.0',
      alertContextVersion: '1.0',
    },
    alertContext: {
      DetectionSummary: 'A degradation in the dependency duration over the last 24 hours',
      FormattedOccurrenceTime: '2025-06-12T14:09:09.000Z',
      DetectedValue: '0.45 sec',
      NormalValue: '0.27 sec (over the last 7 days)',
      PresentationInsightEventRequest: `${APP_INSIGHTS}/query?query=systemEvents&api-version=2018-04-20`,
      SmartDetectorId: 'DependencyPerformanceDegradationDetector',
      SmartDetectorName: 'Dependency Performance Degradation Detector',
      AnalysisTimestamp: '2025-06-12T14:09:09.000Z',
    },
  },
};

/** "Budget alert": alertRule, severity, signalType, alertTargetIDs and originAlertId are all null. */
export const budget = {
  schemaId: 'azureMonitorCommonAlertSchema',
  data: {
    essentials: {
      monitoringService: 'CostAlerts',
      firedDateTime: '2025-06-12T14:49:34.022Z',
      description:
        'The total spend for your budget, fleet-prod-monthly, is forecasted to reach $1111.11 before the end of the period.',
      essentialsVersion: '1.0',
      alertContextVersion: '1.0',
      alertId: `${SUBSCRIPTION}/providers/Microsoft.CostManagement/alerts/fleet-prod-monthly`,
      alertRule: null,
      severity: null,
      signalType: null,
      monitorCondition: 'Fired',
      alertTargetIDs: null,
      configurationItems: ['budgets'],
      originAlertId: null,
    },
    alertContext: {
      AlertCategory: 'budgets',
      AlertData: {
        Scope: `${SUBSCRIPTION}/`,
        ThresholdType: 'Forecasted',
        BudgetType: 'Cost',
        BudgetThreshold: '$50.00',
        NotificationThresholdAmount: '$50.00',
        BudgetName: 'fleet-prod-monthly',
        Unit: 'USD',
        SpentAmount: '$999.99',
        ForecastedTotalForPeriod: '$1111.11',
      },
    },
  },
};

/** "Metric alert - Dynamic threshold" on a Container insights metric split by pod. */
export const dynamicThresholdByPod = {
  schemaId: 'azureMonitorCommonAlertSchema',
  data: {
    essentials: {
      alertId: alertId('0000000a1e15'),
      alertRule: 'fleet-pod-restarts',
      severity: 'Sev0',
      signalType: 'Metric',
      monitorCondition: 'Resolved',
      monitoringService: 'Platform',
      alertTargetIDs: [AKS],
      configurationItems: ['aks-fleet-prod'],
      originAlertId:
        '00000000-0000-0000-0000-00000000f1ee_rg-fleet-prod_microsoft.insights_metricAlerts_fleet-pod-restarts_1234567890',
      firedDateTime: '2025-06-12T14:15:16.104Z',
      description: '',
      essentialsVersion: '1.0',
      alertContextVersion: '1.0',
    },
    alertContext: {
      properties: { customKey1: 'value1' },
      conditionType: 'DynamicThresholdCriteria',
      condition: {
        windowSize: 'PT15M',
        allOf: [
          {
            alertSensitivity: 'Low',
            failingPeriods: { numberOfEvaluationPeriods: 3, minFailingPeriodsToAlert: 3 },
            ignoreDataBefore: null,
            metricName: 'restartingContainerCount',
            metricNamespace: 'Insights.Container/pods',
            operator: 'GreaterThan',
            threshold: '0.3',
            timeAggregation: 'Average',
            dimensions: [
              { name: 'kubernetes namespace', value: 'fleet-management' },
              { name: 'podName', value: 'fleet-postgres-1' },
            ],
            metricValue: 4,
            webTestName: null,
          },
        ],
      },
    },
    customProperties: null,
  },
};
