import { useEffect, useMemo, useState } from 'preact/hooks';
import type { AlignedData } from 'uplot';
import { describe, get, money, post, query, shortTime } from '../api';
import { barOptions, Chart } from '../chart';
import { isAdmin, type Claims } from '../session';

const STATUSES = ['placed', 'paid', 'awaiting-shipment', 'shipped', 'cancelled'] as const;

interface OrderSummary {
  id: string;
  status: string;
  customerId: string;
  accountId: string;
  currency: string;
  total: number;
  placedAt: string;
  updatedAt: string;
}

interface Order {
  id: string;
  shipment: { id: string; href: string; shippedAt: string | null } | null;
}

/** The awaiting-shipment dashboard: orders by status, the orders waiting for shipment, Dispatch (admin). */
export function OrdersPage({ claims }: { claims: Claims }) {
  const admin = isAdmin(claims);
  const [counts, setCounts] = useState<Record<string, number> | null>(null);
  const [waiting, setWaiting] = useState<OrderSummary[] | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState('');
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState<string | null>(null);

  const refresh = async (consistentWith?: number) => {
    try {
      const [report, page] = await Promise.all([
        get<{ total: number; byStatus: Record<string, number> }>(
          `/reports/orders-by-status${query({ consistentWith })}`,
        ),
        get<{ items: OrderSummary[]; nextCursor: number | null }>(
          `/orders${query({ status: 'awaiting-shipment', limit: 50, consistentWith })}`,
        ),
      ]);
      setCounts(report.byStatus);
      setWaiting(page.items);
      setNext(page.nextCursor);
      setError('');
    } catch (failure) {
      setError(describe(failure));
    }
  };

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), 5000);
    return () => clearInterval(timer);
  }, []);

  const more = async () => {
    if (next === null || !waiting) return;
    try {
      const page = await get<{ items: OrderSummary[]; nextCursor: number | null }>(
        `/orders${query({ status: 'awaiting-shipment', limit: 50, after: next })}`,
      );
      setWaiting(waiting.concat(page.items));
      setNext(page.nextCursor);
    } catch (failure) {
      setError(describe(failure));
    }
  };

  const dispatch = async (order: OrderSummary) => {
    setBusy(order.id);
    setMessage('');
    try {
      const detail = await get<Order>(`/orders/${encodeURIComponent(order.id)}`);
      if (!detail.shipment) throw new Error(`Order ${order.id} has no shipment yet`);
      const accepted = await post<{ position: number }>(
        `/shipments/${encodeURIComponent(detail.shipment.id)}/dispatch`,
      );
      setMessage(`Dispatched the shipment of order ${order.id}.`);
      setWaiting((list) => list?.filter((o) => o.id !== order.id) ?? null);
      await refresh(accepted.position);
    } catch (failure) {
      setMessage(`Dispatch of ${order.id}: ${describe(failure)}`);
    } finally {
      setBusy(null);
    }
  };

  const chart = useMemo(() => {
    const values = STATUSES.map((status) => counts?.[status] ?? 0);
    return {
      data: [STATUSES.map((_, i) => i), values] as AlignedData,
      rows: STATUSES.map((status, i) => [status, values[i]]),
    };
  }, [counts]);

  return (
    <>
      <h1>Orders</h1>
      {error && <p role="alert">{error}</p>}
      {message && <p role="status">{message}</p>}
      {counts && (
        <Chart
          label="Orders by status"
          options={barOptions([...STATUSES], 'Orders')}
          data={chart.data}
          table={{ columns: ['Status', 'Orders'], rows: chart.rows }}
          height={220}
        />
      )}
      {waiting && (
        <>
          <table>
            <caption>Awaiting shipment</caption>
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Customer</th>
                <th scope="col">Total</th>
                <th scope="col">Placed</th>
                <th scope="col">Updated</th>
                {admin && <th scope="col">Action</th>}
              </tr>
            </thead>
            <tbody>
              {waiting.map((order) => (
                <tr key={order.id}>
                  <td class="mono">{order.id}</td>
                  <td class="mono">{order.customerId}</td>
                  <td class="num">
                    {money(order.total, order.currency)} {order.currency}
                  </td>
                  <td>{shortTime(order.placedAt)}</td>
                  <td>{shortTime(order.updatedAt)}</td>
                  {admin && (
                    <td>
                      <button
                        type="button"
                        disabled={busy === order.id}
                        onClick={() => void dispatch(order)}
                      >
                        Dispatch
                      </button>
                    </td>
                  )}
                </tr>
              ))}
              {waiting.length === 0 && (
                <tr>
                  <td colSpan={admin ? 6 : 5}>No order is waiting for shipment.</td>
                </tr>
              )}
            </tbody>
          </table>
          {next !== null && (
            <div class="pager">
              <button type="button" onClick={() => void more()}>
                More orders
              </button>
            </div>
          )}
        </>
      )}
    </>
  );
}
